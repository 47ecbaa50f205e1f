"""python manage.py scans_make_pairs --data DIR --out OUT [--n N --seed S --split tune|tune-fit|tune-val|heldout|all --hard --masks]"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from scans.benchmark.pairs import write_pairs


class Command(BaseCommand):
    help = "Write synthetic origin/destination scan pairs (2:1 unchanged:tampered) with labels.json."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data",
            default=None,
            help="folder of single scans (with manifest.csv); without it synthetic scans are used",
        )
        parser.add_argument("--out", required=True)
        parser.add_argument("--n", type=int, default=90)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--split",
            default="all",
            choices=["all", "tune", "tune-fit", "tune-val", "heldout"],
            help="use only the sources of one split (split by source image; tune-fit / tune-val: about 70 / 30 "
            "of the tune sources)",
        )
        parser.add_argument(
            "--whole-share", type=float, default=0.5, help="share of pairs made from whole-vehicle scans"
        )

        parser.add_argument(
            "--hard",
            action="store_true",
            help="hardest settings: add_dense / remove_dark / swap_split kinds too, nuisances at their extremes",
        )

        parser.add_argument(
            "--masks",
            action="store_true",
            help="also write each tampered pair's per-pixel change (NNNN_change.png; the pairs are the same)",
        )

    def handle(self, *args, **opts):
        labels = write_pairs(
            opts["out"],
            n=opts["n"],
            seed=opts["seed"],
            data_dir=opts["data"],
            split=opts["split"],
            whole_share=opts["whole_share"],
            hard=opts["hard"],
            masks=opts["masks"],
        )
        n_t = sum(lab["tampered"] for lab in labels)
        self.stdout.write(f"wrote {len(labels)} pairs ({n_t} tampered) to {opts['out']}")
