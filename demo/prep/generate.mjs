// Generates the data-preparation demo: a skewed multi-label EuroVoc-style RFT file whose labels are EuroVoc
// domain codes ("10", "20", ...), plus the code -> name mappings (CSV and JSON) to the 21 level-1 names the
// Build Hour used. Deterministic: `node demo/prep/generate.mjs` always writes the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// EuroVoc domain numbers and the Build Hour's level-1 spelling (prompts/developer/v7.md), most frequent first
// (roughly the order of the level-1 frequencies in MultiEURLEX).
const DOMAINS = [
  ['10', 'EUROPEAN UNION', 'the functioning of the Union institutions'],
  ['20', 'trade', 'tariff quotas for imported goods'],
  ['56', 'agriculture, forestry and fisheries', 'fishing quotas in the North Sea'],
  ['60', 'agri-foodstuffs', 'labelling of processed foodstuffs'],
  ['12', 'law', 'the procedure before national courts'],
  ['08', 'international relations', 'an agreement with a third country'],
  ['64', 'production, technology and research', 'technical standards for machinery'],
  ['24', 'finance', 'the financing of the common budget'],
  ['52', 'environment', 'emissions of greenhouse gases'],
  ['72', 'geography', 'the outermost regions'],
  ['28', 'social questions', 'public health and consumer safety'],
  ['40', 'business and competition', 'state aid to undertakings'],
  ['48', 'transport', 'the safety of maritime transport'],
  ['16', 'economics', 'regional economic policy'],
  ['68', 'industry', 'the chemical industry'],
  ['04', 'politics', 'the rights of Union citizens in elections'],
  ['66', 'energy', 'the internal market in electricity'],
  ['44', 'employment and working conditions', 'the working time of mobile workers'],
  ['32', 'education and communications', 'electronic communications networks'],
  ['76', 'international organisations', 'cooperation with the World Trade Organization'],
  ['36', 'science', 'the metrology of scientific instruments'],
];

// The names must be exactly the 21 labels of the shared fixture.
const fixture = path.resolve(here, '../../test/fixtures/real/openai-build-hours/derived/eurovoc_level1_labels.json');
if (fs.existsSync(fixture)) {
  const want = JSON.parse(fs.readFileSync(fixture, 'utf8')).slice().sort();
  const have = DOMAINS.map((d) => d[1]).sort();
  if (JSON.stringify(want) !== JSON.stringify(have)) throw new Error('demo names differ from eurovoc_level1_labels.json');
}

function mulberry32(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20260426);

// Zipf-like label weights (s = 1.6): the first label is ~130 times as likely as the last.
const weights = DOMAINS.map((_, i) => 1 / (i + 1) ** 1.6);
// Labels per document: 1 to 6, mostly 2-3 (MultiEURLEX documents carry ~3 level-1 labels on average).
const CARD = [
  [1, 0.2],
  [2, 0.3],
  [3, 0.25],
  [4, 0.15],
  [5, 0.07],
  [6, 0.03],
];

function pickCount() {
  let r = rand();
  for (const [k, p] of CARD) if ((r -= p) <= 0) return k;
  return 1;
}

function pickLabels(k) {
  const chosen = new Set();
  while (chosen.size < k) {
    let total = 0;
    for (let i = 0; i < DOMAINS.length; i++) if (!chosen.has(i)) total += weights[i];
    let r = rand() * total;
    for (let i = 0; i < DOMAINS.length; i++) {
      if (chosen.has(i)) continue;
      if ((r -= weights[i]) <= 0) {
        chosen.add(i);
        break;
      }
    }
  }
  return [...chosen].sort((a, b) => a - b);
}

const KINDS = ['Council Regulation', 'Commission Regulation', 'Council Decision', 'Commission Implementing Decision', 'Directive'];
const N = 1500;
const lines = [];
for (let n = 1; n <= N; n++) {
  const labels = pickLabels(pickCount());
  const kind = KINDS[Math.floor(rand() * KINDS.length)];
  const year = 1995 + Math.floor(rand() * 30);
  const topics = labels.map((i) => DOMAINS[i][2]);
  const text = `${kind} (EU) No ${100 + Math.floor(rand() * 1900)}/${year} concerning ${topics.join(', and ')}.`;
  lines.push(
    JSON.stringify({
      id: `doc-${String(n).padStart(4, '0')}`,
      messages: [
        { role: 'developer', content: 'Classify the EU legal act into its EuroVoc level-1 domains.' },
        { role: 'user', content: text },
      ],
      reference_answer: labels.map((i) => DOMAINS[i][0]),
    }),
  );
}
// A few exact duplicates, as real exports have: the split keeps each copy with its original.
for (const i of [10, 250, 251, 900]) lines.push(lines[i]);

fs.writeFileSync(path.join(here, 'eurovoc_coded.jsonl'), `${lines.join('\n')}\n`);
const csvField = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
fs.writeFileSync(
  path.join(here, 'eurovoc_level1_codes.csv'),
  `code,name\r\n${DOMAINS.map(([c, name]) => `${c},${csvField(name)}`).join('\r\n')}\r\n`,
);
fs.writeFileSync(
  path.join(here, 'eurovoc_level1_codes.json'),
  `${JSON.stringify(Object.fromEntries(DOMAINS.map(([c, name]) => [c, name])), null, 2)}\n`,
);
console.log(`wrote ${lines.length} lines`);
