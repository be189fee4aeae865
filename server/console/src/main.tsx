import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import './styles.css';
import { watchTableLabels } from './table-labels.js';

const root = document.getElementById('root');
if (root) {
  watchTableLabels(root);
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
