/**
 * The renderer's only door to the app: two functions on `window.omnizipBridge`. The renderer gets
 * no Node, no ipcRenderer, no arbitrary channels; the main process checks every call anyway.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

contextBridge.exposeInMainWorld('omnizipBridge', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke('omnizip:call', method, params),
  onEvent: (listener: (event: unknown) => void) => {
    const handler = (_e: IpcRendererEvent, event: unknown) => listener(event);
    ipcRenderer.on('omnizip:event', handler);
    return () => {
      ipcRenderer.removeListener('omnizip:event', handler);
    };
  },
});
