"""A synthetic, labelled Metal/Hardcore corpus of real tagged audio files, for demos and tests.

No real Metal/Hardcore recordings can ship with the application, so this package synthesises
songs: drums, distorted double-tracked guitars, bass and shouted voices, arranged in parts that
follow each style's rhythmic patterns. Tempo, tuning, key, tone, mix, loudness and noise are drawn
from one distribution for both labels, so no single global feature gives the label away; only
the patterns over time do (see benchmarks/one_feature_baseline.py). A third label, `other`
(jazz swing, four-on-the-floor electronic, boom-bap; clean guitar, no vocals), can be added for
corpora of more than two classes.

    plan_demo_corpus(...)    every track's parameters, no audio (fast; for tests)
    render_demo_corpus(...)  render, encode (mp3/flac/ogg/m4a/wav), tag, and write corpus.json
"""

from tagger.training.demo_corpus.corpus import (
    MANIFEST_NAME,
    DemoCorpusStopped,
    DemoTrack,
    demo_track,
    render_demo_corpus,
    render_track,
)
from tagger.training.demo_corpus.plan import FORMATS, LABELS, STYLES, TrackPlan, plan_demo_corpus
from tagger.training.demo_corpus.render import render_audio

__all__ = [
    "FORMATS",
    "LABELS",
    "MANIFEST_NAME",
    "STYLES",
    "DemoCorpusStopped",
    "DemoTrack",
    "TrackPlan",
    "demo_track",
    "plan_demo_corpus",
    "render_audio",
    "render_demo_corpus",
    "render_track",
]
