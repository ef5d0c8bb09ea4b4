import { create } from 'zustand';

/**
 * Files the user uploaded in web mode during this visit. An upload has no path the server may open
 * again (its temp copy is deleted once analysed, on purpose: uploads are not kept on the server), but
 * the browser's File handle stays readable from the user's disk for the page's lifetime, so the
 * Recent menu reopens an upload by reading the same file again. Gone after a reload.
 */
export interface RecentUpload {
  /** Identity of a file on the user's disk as the browser sees it. */
  key: string;
  name: string;
  file: File;
}

export const MAX_RECENT_UPLOADS = 10;

export const uploadKey = (file: Pick<File, 'name' | 'size' | 'lastModified'>): string => `${file.name}\u0000${file.size}\u0000${file.lastModified}`;

/** The list after `file` was opened: newest first, no duplicates, at most MAX_RECENT_UPLOADS. */
export function withUpload(list: readonly RecentUpload[], file: File): RecentUpload[] {
  const key = uploadKey(file);
  return [{ key, name: file.name, file }, ...list.filter((u) => u.key !== key)].slice(0, MAX_RECENT_UPLOADS);
}

export const useRecentUploads = create<{ uploads: RecentUpload[]; add: (file: File) => void }>((set) => ({
  uploads: [],
  add: (file) => set((s) => ({ uploads: withUpload(s.uploads, file) })),
}));
