import type { StoreApi, UseBoundStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';

/**
 * Several fields of a zustand store in one subscription: the component re-renders when any of them
 * changes (each compared with Object.is, as separate selectors would), never for the others.
 */
export function usePicked<S, K extends keyof S>(store: UseBoundStore<StoreApi<S>>, keys: readonly K[]): Pick<S, K> {
  return store(
    useShallow((s: S) => {
      const picked = {} as Pick<S, K>;
      for (const key of keys) picked[key] = s[key];
      return picked;
    }),
  );
}
