"""Every number the doctor judges images by, named once, with the reason shown to the user.

Pixel statistics are computed on a 64-pixel greyscale copy (cheap, and blur measured on a
downsampled copy does not flag sharp high-resolution photos: cleanvision#119/#120).

* ``DARK_BRIGHTNESS = 0.12``: mean brightness (0-1) below which a photo is mostly black.
* ``BRIGHT_BRIGHTNESS = 0.93``: mean brightness above which it is washed out (overexposed).
* ``BLUR_SHARPNESS = 0.0015``: variance of the Laplacian of the 64-px copy (intensities 0-1) below
  which no edge survives: blurred, or featureless. Images with almost no contrast are reported
  as ``LOW_CONTRAST`` instead, so a flat blue sky is not called blurry.
* ``LOW_CONTRAST = 0.02``: standard deviation of brightness below which the image is one flat tone.
* ``TINY_SIDE``: the data warnings' ``SMALL_SIDE`` (64 px): the network would enlarge it 3.5x or more.
* ``ODD_ASPECT = 3.0``: a long side over three times the short one loses most of itself to the
  centre crop.
* Near-duplicates: nearest-neighbour cosine distance below ``NEAR_DUP_RELATIVE = 0.13`` times the
  median nearest-neighbour distance (cleanlab Datalab's default), or cosine similarity of at
  least ``NEAR_DUP_COSINE = 0.985`` whatever the median (fastdup calls 0.98 "nearly identical"),
  or a neighbour within ``NEAR_DUP_CANDIDATE = 0.6`` times the median (at least
  ``NEAR_DUP_CANDIDATE_MIN = 0.15``) whose 64-bit perceptual hash differs in at most
  ``PHASH_BITS = 12`` bits and whose 16x16 greyscale thumbnail correlates at
  ``THUMB_CORRELATION = 0.9`` or more. Measured with planted copies: re-encoded, 0.8x-resized and
  4%-cropped copies lie up to 0.12 apart in the embedding (a crop moves pooled features), differ
  in 0 to 10 bits and correlate at 0.91 to 1.0. Distinct hymenoptera photos that close differ in
  36 bits; in sign-language digits (one hand on one background) distinct photos can differ in as
  few as 4 bits, and correlate at 0.88 or less unless they are consecutive shots of one sign.
* Outliers: the mean cosine distance to the ``NEIGHBOURS = 10`` nearest images is above
  ``OUTLIER_FACTOR = 2.5`` times its median over the image's class.
* Class balance: a class under ``TINY_CLASS = 10`` images, or a largest/smallest ratio above
  ``BALANCE_RATIO = 10`` (the data warnings already tell from 20 images and 3x; the doctor flags
  the cases that hurt most).
* Suspect labels: ``LABEL_FOLDS = 5`` out-of-fold predictions (never the model's own training
  predictions), confident learning's per-class thresholds.
"""

from __future__ import annotations

from engine.data.thresholds import SMALL_SIDE

DARK_BRIGHTNESS = 0.12
BRIGHT_BRIGHTNESS = 0.93
BLUR_SHARPNESS = 0.0015
LOW_CONTRAST = 0.02
TINY_SIDE = SMALL_SIDE
ODD_ASPECT = 3.0
NEAR_DUP_RELATIVE = 0.13
NEAR_DUP_COSINE = 0.985
NEAR_DUP_CANDIDATE = 0.6
NEAR_DUP_CANDIDATE_MIN = 0.15
PHASH_BITS = 12
THUMB_CORRELATION = 0.9
NEIGHBOURS = 10
OUTLIER_FACTOR = 2.5
TINY_CLASS = 10
BALANCE_RATIO = 10.0
LABEL_FOLDS = 5
