"""The parameters and attributes shared by the docstrings of NetworkClassifier and NetworkRegressor,
written once (numpydoc sections, appended to each estimator's own description)."""

PARAMETERS = """
    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Units per hidden layer; ``()`` gives no hidden layer (logistic / linear regression).
    activation : {"sigmoid", "tanh", "relu", "leaky_relu", "softsign", "softplus", "identity"}, default="relu"
        The hidden layers' f in a^l = f(z^l); "sigmoid" (S(z) = 1 / (1 + e^{-z})) is the seed's.
    init : {"xavier", "he", "normal", "standard_normal", "uniform"} or callable, default="xavier"
        How each W^l is drawn (see ``nnmath.init``); biases start at 0.
    optimizer : {"adam", "sgd", "momentum", "nesterov"} or an nnmath optimizer object, default="adam"
        The step rule; "sgd" is plain gradient descent θ ← θ - α ∂E/∂θ. An object (such as
        ``nnmath.engine.optimizers.Adam(beta1=0.8)``) is copied for each fit, so its state never
        leaks from one fit into the next; a warm start or partial_fit continues the state while
        ``optimizer`` is the same name or object, and starts afresh with another. Adam's step is α m̂ / (√ŝ + ε) with the bias-corrected
        moments m̂, ŝ; scikit-learn's MLP folds the corrections into α and adds ε to the uncorrected
        √s, which is ε / √(1 - β₂ᵗ) here (t the steps so far): the same step but for the size of ε
        over the first few thousand steps.
    learning_rate : float, default=0.001
        α, the step size.
    batch_size : int, "auto" or None, default="auto"
        Samples per gradient step; "auto" is min(200, n_samples), None the whole set (full batch).
    epochs : int, default=200
        Passes over the training data in ``fit`` (``partial_fit`` makes one).
    weight_decay : float, default=0.0001
        λ of the L2 penalty (λ/2) Σ_l ‖W^l‖², which adds λ W^l to each step's ∂E/∂W^l. scikit-learn's
        MLP adds alpha·W^l / n_b, n_b the samples of the batch, so weight_decay=λ is alpha=λ·B only
        when every batch has B samples: a last, smaller batch of an epoch (n_samples not a multiple
        of B) gets a stronger penalty there, and full batch means B = n_samples.
    dropout : float, default=0.0
        Probability of dropping each hidden unit during training.
    early_stopping : bool, default=False
        In ``fit``: hold out ``validation_fraction`` of the data (stratified for classifiers) and
        stop when its loss has not improved for ``n_iter_no_change`` epochs, keeping the best weights.
    validation_fraction : float, default=0.1
        The held-out fraction for early stopping.
    n_iter_no_change : int or np.inf, default=10
        The patience of early stopping, in epochs; np.inf never stops early (the best epoch's
        weights are still kept).
    random_state : int, RandomState instance or None, default=None
        Makes the initial weights, the batches, the dropout masks and the split reproducible.
    warm_start : bool, default=False
        If True, ``fit`` continues from the fitted weights and optimizer state.
    verbose : bool, default=False
        Print the loss of every epoch.
    engine : {"auto", "numpy", "compiled"}, default="auto"
        Which implementation of the equations trains (``Network.fit``'s engine): "auto" the
        compiled epoch wherever it can, "numpy" the readable engine, "compiled" the compiled epoch.
"""

ATTRIBUTES = """
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of str
        Column names, when X had string column names.
    loss_curve_ : list of float
        The training error E of each epoch, across warm starts and partial fits: the mean over the
        epoch's samples (each step's E weighted by its batch size), without the L2 penalty
        (scikit-learn's MLP adds the penalty to its loss_curve_).
    validation_scores_ : list of float or None
        The score on the held-out data after each epoch (early stopping only).
    n_iter_ : int
        Epochs run so far.
    gradient_norms_ : ndarray of shape (n_layers, n_iter_)
        ``gradient_norms_[l, e]`` = mean over epoch e's steps of ‖∂E/∂W^{l+1}‖ (Frobenius).
    network_ : nnmath.Network
        The trained network.
    coefs_, intercepts_ : list of ndarray
        W¹..Wᴸ and b¹..bᴸ of ``network_`` (the names scikit-learn's MLP uses).
    optimizer_ : nnmath optimizer
        The optimizer with its state (velocities, Adam's moments), reused by partial_fit / warm_start.
"""
