// The cartesian bundle (plotly.js-cartesian-dist-min, pinned): the studio draws only scatter, bar
// and heatmap traces. It is a third of the full bundle's size (1.5 MB against 5.2 MB, parsed on
// every start) and has no eval/new Function, so the CSP can forbid 'unsafe-eval'.
import RawPlotly, { type Config } from 'plotly.js-cartesian-dist-min';

export type { PlotData, Layout, PlotlyHTMLElement, PlotMouseEvent, Config } from 'plotly.js-cartesian-dist-min';

/**
 * What every chart gets whatever its caller passes: no plotly logo and no cloud buttons. Plotly 4
 * shows a "Share chart…" button (`sendChartToCloud`) unless `showSendToCloud` is false; it would
 * upload the chart's data to a plotly server, which a local analysis tool must never offer.
 */
export const ENFORCED_CONFIG = { displaylogo: false, showSendToCloud: false, showEditInChartStudio: false } as const satisfies Config;

/** Plotly, with `react` always drawing under ENFORCED_CONFIG. */
const Plotly: typeof RawPlotly = {
  ...RawPlotly,
  react: (root, data, layout, config) => RawPlotly.react(root, data, layout, { ...config, ...ENFORCED_CONFIG }),
};
export default Plotly;
