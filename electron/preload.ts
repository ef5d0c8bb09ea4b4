/**
 * The renderer's only door to the app: three functions on `window.omnizipBridge`. The renderer gets
 * no Node, no ipcRenderer, no arbitrary channels; the main process checks every call anyway.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('omnizipBridge', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke('omnizip:call', method, params),
  // The path of a file the user dropped, read here (not by page script) from the drop's File, and
  // recorded by main as user-chosen; null for a File with no path on disk (electron/user-paths.ts).
  // The channel is DROP_CHANNEL; spelled out because a sandboxed preload cannot load node:path.
  chooseDroppedFile: async (file: File): Promise<string | null> => {
    let chosen = '';
    try {
      chosen = webUtils.getPathForFile(file);
    } catch {
      // not a File
    }
    return chosen ? ((await ipcRenderer.invoke('omnizip:dropped', chosen)) as string | null) : null;
  },
  onEvent: (listener: (event: unknown) => void) => {
    const handler = (_e: IpcRendererEvent, event: unknown) => listener(event);
    ipcRenderer.on('omnizip:event', handler);
    return () => {
      ipcRenderer.removeListener('omnizip:event', handler);
    };
  },
});
