"""The experiments, one module each (data, model and its ``run``), and the one training loop
they share (:mod:`.training`): ``nbody`` and ``hull`` (CGENN, run by ``symgen nbody`` and
``symgen hull``), ``kdv`` (Lie point symmetry augmentation) and ``o5_regression`` (EMLP), run
by the scripts in ``examples/``, and ``inertia`` (residual pathway priors, run by
``benchmarks/bench_rpp.py``)."""
