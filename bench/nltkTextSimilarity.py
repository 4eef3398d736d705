# Baseline for `npm run bench -- grade`: times nltk's own bleu/gleu/meteor (azure-ai-evaluation's recipe) on the
# golden pairs. Usage: python3 nltkTextSimilarity.py GOLDEN.jsonl NLTK_DATA_DIR REPEAT  -> one JSON object on stdout.
# nltk's word_tokenize is rebuilt from its parts (Punkt with the punkt_tab parameters + NLTKWordTokenizer) because
# older nltk releases (Debian's 3.8) load Punkt from a pickle that is not shipped; WordNet comes from Debian's
# wordnet-base (/usr/share/wordnet) or NLTK_DATA's corpora/wordnet.
import json, os, re, sys, tempfile, time
from collections import defaultdict

import nltk
from nltk.corpus.reader.wordnet import WordNetCorpusReader
from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from nltk.translate.gleu_score import sentence_gleu
from nltk.translate.meteor_score import meteor_score

golden_path, data_dir, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
nltk.data.path[:0] = [data_dir]
from nltk.tokenize.nist import NISTTokenizer  # noqa: E402 (reads perluniprops when imported)

punkt_dir = os.path.join(data_dir, "tokenizers", "punkt_tab", "english")
def lines(name):
    with open(os.path.join(punkt_dir, name), encoding="utf-8") as f:
        return [l.strip() for l in f.read().split("\n") if l.strip()]
params = PunktParameters()
params.abbrev_types = set(lines("abbrev_types.txt"))
params.sent_starters = set(lines("sent_starters.txt"))
params.collocations = {tuple(l.split("\t")) for l in lines("collocations.tab")}
params.ortho_context = defaultdict(int, {k: int(v) for k, v in (l.split("\t") for l in lines("ortho_context.tab"))})
punkt = PunktSentenceTokenizer(params)
treebank = NLTKWordTokenizer()
nist = NISTTokenizer()

def word_tokenize(text):
    return [t for s in punkt.tokenize(text) for t in treebank.tokenize(s)]

LATIN1 = re.compile(r"[\x20-\x7e\xa0-\xff]*")
def tok(text):
    if LATIN1.fullmatch(text):
        return word_tokenize(text)
    return list(nist.international_tokenize(text))

def wordnet_reader():
    nltk_wn = os.path.join(data_dir, "corpora", "wordnet")
    if os.path.isdir(nltk_wn):
        return WordNetCorpusReader(nltk_wn, None)
    # Debian's wordnet-base lacks the `lexnames` file nltk's reader opens; METEOR never reads it.
    tmp = tempfile.mkdtemp(prefix="rft-wn-")
    for f in os.listdir("/usr/share/wordnet"):
        os.symlink(os.path.join("/usr/share/wordnet", f), os.path.join(tmp, f))
    names = ["adj.all", "adj.pert", "adv.all"] + ["noun." + n for n in (
        "Tops act animal artifact attribute body cognition communication event feeling food group location motive "
        "object person phenomenon plant possession process quantity relation shape state substance time").split()
    ] + ["verb." + n for n in (
        "body change cognition communication competition consumption contact creation emotion motion perception "
        "possession social stative weather").split()] + ["adj.ppl"]
    with open(os.path.join(tmp, "lexnames"), "w") as f:
        for i, n in enumerate(names):
            f.write(f"{i:02d}\t{n}\t0\n")
    return WordNetCorpusReader(tmp, None)

wn = wordnet_reader()
smooth = SmoothingFunction().method4
METRICS = {
    "bleu": ("aieval_bleu", lambda i, r: sentence_bleu([tok(r)], tok(i), smoothing_function=smooth)),
    "gleu": ("aieval_gleu", lambda i, r: sentence_gleu([tok(r)], tok(i))),
    "meteor": ("aieval_meteor", lambda i, r: meteor_score([tok(r)], tok(i), alpha=0.9, beta=3.0, gamma=0.5, wordnet=wn)),
}

rows = [json.loads(l) for l in open(golden_path, encoding="utf-8") if l.strip()]
out = {"nltk": nltk.__version__, "pairs": len(rows) * repeat, "rates": {}, "cpu_rates": {}, "max_rel_diff": {}}
for name, (column, fn) in METRICS.items():
    worst = 0.0
    for row in rows:  # warm-up and check against the golden column
        got, exp = fn(row["input"], row["reference"]), row["scores"][column]
        worst = max(worst, min(abs(got - exp), abs(got - exp) / abs(exp) if exp else abs(got - exp)))
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for row in rows:
            fn(row["input"], row["reference"])
    out["rates"][name] = len(rows) * repeat / (time.perf_counter() - t0)
    out["cpu_rates"][name] = len(rows) * repeat / (time.process_time() - c0)
    out["max_rel_diff"][name] = worst
print(json.dumps(out))
