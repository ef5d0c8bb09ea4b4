import { createRoot } from 'react-dom/client';
import { init } from './actions.js';
import { App } from './App.js';
import { loadPlotly } from './plot/plotly.js';
import { connect } from './transport/client.js';
import './styles.css';

// Plotly's chunk (index.html preloads it) evaluates while the host opens the demo; the charts wait
// for it, not the studio's first calls. A failed load shows in each chart, not here.
loadPlotly().catch(() => undefined);
createRoot(document.getElementById('root') as HTMLElement).render(<App />);
void init(connect());
