"""The defaults of a Bayesian calibration (:func:`~simcontract.experiment.bayes.calibrate_abc`),
in a module without imports, so that the command line shows them at no cost.

What a run with them costs is in the how-to guide on Bayesian calibration.
"""

DEFAULT_FIT_UNTIL = 2012
"""Last calendar year of the figures fitted by default (later ones are holdout)."""

DEFAULT_POPULATION = 200
"""Particles per generation."""

DEFAULT_GENERATIONS = 7
"""Most generations (the first included); a resumed run counts the stored ones."""

DEFAULT_REPLICATIONS = 3
"""Model runs per particle; the summary is their mean."""

DEFAULT_MIN_ACCEPTANCE = 0.02
"""A generation stops, and with it the run, once it would accept fewer than this share of
the particles it tries (it tries at most population / this share)."""

DEFAULT_PREDICTIVE_DRAWS = 100
"""Particles drawn from the posterior for the predictive check."""
