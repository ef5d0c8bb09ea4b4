// The cartesian bundle: the studio draws only scatter, bar and heatmap traces. It is a third of the
// full bundle's size (1.5 MB against 5.2 MB, parsed on every start) and, like the strict one, has
// no eval/new Function, so the CSP can forbid 'unsafe-eval'.
import Plotly from 'plotly.js/dist/plotly-cartesian.min.js';

export type { PlotData, Layout, PlotlyHTMLElement, PlotMouseEvent } from 'plotly.js/dist/plotly-cartesian.min.js';
export default Plotly;
