/**
 * The loraflow editor: a React + React Flow app built by Vite (client/vite.config.ts) and served by the server.
 * Layers point down: api/ (REST + WebSocket) -> store/ (state outside React) -> graph/ (pure file<->flow logic)
 * -> canvas/, widgets/, panels/, ui/ (small memo'd components).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { App } from './App';

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
