// A short, optional sound cue per greeting (WebAudio; no audio files to ship). A rising
// two-tone for a mark, a single low tone for anything that needs a teacher.
import type { Tone } from './view-model.js';

export function playCue(ctx: AudioContext, tone: Tone): void {
  const notes = tone === 'good' || tone === 'info' ? [660, 880] : [330];
  notes.forEach((freq, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    const start = ctx.currentTime + i * 0.15;
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.2, start);
    gain.gain.exponentialRampToValueAtTime(0.001, start + 0.14);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + 0.15);
  });
}
