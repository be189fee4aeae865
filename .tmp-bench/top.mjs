import { readFileSync, readdirSync } from 'node:fs';
const dir = process.argv[2];
const f = readdirSync(dir).filter(x => x.endsWith('.cpuprofile')).map(x=>[x, readFileSync(dir+'/'+x).length]).sort((a,b)=>b[1]-a[1])[0][0];
const p = JSON.parse(readFileSync(`${dir}/${f}`));
const self = new Map(); const byId = new Map(p.nodes.map(n => [n.id, n]));
const dt = new Map(); p.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
for (const n of p.nodes) { const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-3).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt.get(n.id) ?? 0)); }
const total = [...self.values()].reduce((a, b) => a + b, 0);
// inclusive by url package
const pkg = new Map();
for (const n of p.nodes) { const u = n.callFrame.url; const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(u); const k = m ? m[1] : (u.includes('/work/main/') ? u.split('/work/main/')[1] : (u || n.callFrame.functionName)); pkg.set(k, (pkg.get(k) ?? 0) + (dt.get(n.id) ?? 0)); }
console.log('total ms', total/1000);
console.log([...self].sort((a,b)=>b[1]-a[1]).slice(0,25).map(([k,v])=>`${(v/1000).toFixed(0).padStart(6)} ${k}`).join('\n'));
console.log('--- by file/package (self)');
console.log([...pkg].sort((a,b)=>b[1]-a[1]).slice(0,20).map(([k,v])=>`${(v/1000).toFixed(0).padStart(6)} ${k}`).join('\n'));
