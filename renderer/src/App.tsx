import { useEffect } from 'react';
import { openFileObject } from './actions.js';
import { PrefillPanel } from './panels/PrefillPanel.js';
import { Compare } from './views/Compare.js';
import { Export } from './views/Export.js';
import { Frames } from './views/Frames.js';
import { GroupRatios } from './views/GroupRatios.js';
import { Parameters, redo, undo } from './views/Parameters.js';
import { Errors, OpenBar, StatusBar } from './views/Shell.js';
import { Timeline } from './views/Timeline.js';
import { SweepsView } from './sweeps/SweepsView.js';
import { useSweeps } from './sweeps/sweeps-store.js';

export function App() {
  const sweepsOpen = useSweeps((s) => s.open);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLInputElement;
      // Text fields keep their own undo; sliders, buttons and the page use the studio's.
      const editsText = target.tagName === 'TEXTAREA' || (target.tagName === 'INPUT' && target.type !== 'range' && target.type !== 'checkbox' && target.type !== 'radio');
      if (!(e.ctrlKey || e.metaKey) || editsText) return;
      if (e.key === 'z' && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if (e.key === 'y' || (e.key === 'z' && e.shiftKey) || e.key === 'Z') {
        e.preventDefault();
        redo();
      }
    };
    const onDragOver = (e: DragEvent) => e.preventDefault();
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      const file = e.dataTransfer?.files?.[0];
      if (file) void openFileObject(file);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
  return (
    <div className="app">
      <OpenBar />
      <Errors />
      <div className="layout">
        <aside><Parameters /></aside>
        {sweepsOpen && <main><SweepsView /></main>}
        <main hidden={sweepsOpen}>
          <Timeline />
          <div className="row">
            <GroupRatios />
            <Frames />
          </div>
          <div className="row">
            <Compare />
            <Export />
          </div>
          <PrefillPanel />
        </main>
      </div>
      <StatusBar />
    </div>
  );
}
