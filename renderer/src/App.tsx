import { useEffect } from 'react';
import { openFileObject } from './actions.js';
import { PrefillPanel } from './prefill/PrefillPanel.js';
import { Compare } from './compare/Compare.js';
import { Export } from './export/Export.js';
import { Frames } from './frames/Frames.js';
import { GroupRatios } from './groups/GroupRatios.js';
import { Parameters } from './parameters/Parameters.js';
import { Errors, OpenBar, StatusBar } from './shell/Shell.js';
import { Shortcuts } from './shell/Shortcuts.js';
import { Timeline } from './timeline/Timeline.js';
import { SweepsView } from './sweeps/SweepsView.js';
import { useSweeps } from './sweeps/sweeps-store.js';

export function App() {
  const sweepsOpen = useSweeps((s) => s.open);
  useEffect(() => {
    const onDragOver = (e: DragEvent) => e.preventDefault();
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      const file = e.dataTransfer?.files?.[0];
      if (file) void openFileObject(file);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
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
      <Shortcuts />
    </div>
  );
}
