// plotly.js-cartesian-dist-min ships no types; this is the part of the API the studio uses.
declare module 'plotly.js-cartesian-dist-min' {
  export type Datum = number | string | null;
  export interface PlotData {
    [key: string]: unknown;
  }
  export interface Layout {
    [key: string]: unknown;
  }
  export interface Config {
    [key: string]: unknown;
  }
  export interface PlotlyHTMLElement extends HTMLDivElement {
    data: PlotData[];
    layout: Layout;
    on(event: string, handler: (event: PlotMouseEvent) => void): void;
    removeAllListeners(event: string): void;
  }
  export interface PlotMouseEvent {
    points?: { x?: Datum; y?: Datum; curveNumber: number; pointNumber?: number; pointIndex?: number; customdata?: unknown }[];
  }
  const Plotly: {
    react(root: HTMLElement, data: PlotData[], layout?: Layout, config?: Config): Promise<PlotlyHTMLElement>;
    purge(root: HTMLElement): void;
    relayout(root: HTMLElement, update: Layout): Promise<PlotlyHTMLElement>;
    toImage(root: HTMLElement | { data: PlotData[]; layout: Layout }, options: { format: 'png' | 'svg'; width?: number; height?: number; scale?: number }): Promise<string>;
    Plots: { resize(root: HTMLElement): void };
  };
  export default Plotly;
}
