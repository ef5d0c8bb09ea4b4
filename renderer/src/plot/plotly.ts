// The strict bundle: plotly without eval/new Function, so the CSP can forbid 'unsafe-eval'.
import Plotly from 'plotly.js/dist/plotly-strict.min.js';

export type { PlotData, Layout, PlotlyHTMLElement, PlotMouseEvent } from 'plotly.js/dist/plotly-strict.min.js';
export default Plotly;
