// The cartesian bundle (plotly.js-cartesian-dist-min, pinned): the studio draws only scatter, bar
// and heatmap traces. It is a third of the full bundle's size (1.5 MB against 5.2 MB) and has no
// eval/new Function, so the CSP can forbid 'unsafe-eval'.
//
// Loaded lazily, in a chunk of its own: evaluating it takes 0.7-1 s in Chromium, which would
// otherwise sit before the studio's first call to its host. main.tsx starts the import at once, so
// the host opens the demo while plotly loads; charts show a loading state until it has.
import type RawPlotly from 'plotly.js-cartesian-dist-min';
import type { Config } from 'plotly.js-cartesian-dist-min';
import { useEffect, useState } from 'react';

export type { PlotData, Layout, PlotlyHTMLElement, PlotMouseEvent, Config } from 'plotly.js-cartesian-dist-min';

/** Plotly's API as the studio uses it. */
export type PlotlyApi = typeof RawPlotly;

/**
 * What every chart gets whatever its caller passes: no plotly logo and no cloud buttons. Plotly 4
 * shows a "Share chart…" button (`sendChartToCloud`) unless `showSendToCloud` is false; it would
 * upload the chart's data to a plotly server, which a local analysis tool must never offer.
 */
export const ENFORCED_CONFIG = { displaylogo: false, showSendToCloud: false, showEditInChartStudio: false } as const satisfies Config;

/** Plotly, with `react` always drawing under ENFORCED_CONFIG. */
function enforced(raw: PlotlyApi): PlotlyApi {
  return { ...raw, react: (root, data, layout, config) => raw.react(root, data, layout, { ...config, ...ENFORCED_CONFIG }) };
}

let loading: Promise<PlotlyApi> | null = null;
let loaded: PlotlyApi | null = null;

/**
 * Plotly, imported once for every caller (one shared promise). A failed import (the chunk could
 * not be fetched) is forgotten, so the next call tries again.
 */
export function loadPlotly(): Promise<PlotlyApi> {
  loading ??= import('plotly.js-cartesian-dist-min').then(
    (module) => {
      performance.mark('omz:plotly-loaded');
      return (loaded = enforced(module.default));
    },
    (err: unknown) => {
      loading = null;
      throw err;
    },
  );
  return loading;
}

/** Plotly when it has loaded, else null (for cleanups and resizes, which have nothing to do before). */
export const loadedPlotly = (): PlotlyApi | null => loaded;

/** What a chart shows: plotly once loaded, the loading state before, or why it could not load. */
export type PlotlyState = { plotly: PlotlyApi; error?: undefined } | { plotly: null; error?: string };

/** Plotly for a component: null until the shared import resolves, then the component re-renders. */
export function usePlotly(): PlotlyState {
  const [state, setState] = useState<PlotlyState>(() => ({ plotly: loaded }));
  useEffect(() => {
    if (state.plotly) return;
    let live = true;
    loadPlotly().then(
      (plotly) => live && setState({ plotly }),
      (err: unknown) => live && setState({ plotly: null, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [state.plotly]);
  return state;
}
