"""The errors nnmath raises on purpose. Each carries one line a person can act on."""


class NNMathError(ValueError):
    """Bad input or a request nnmath cannot carry out; the message says what to change."""


class TrainingDiverged(NNMathError):
    """The loss became NaN or infinite. The network keeps the last finite weights."""

    def __init__(self, epoch: int, learning_rate: float):
        self.epoch = epoch
        super().__init__(
            f"training diverged at epoch {epoch}: the loss became NaN or infinite; "
            f"try a smaller learning rate than {learning_rate:g} (the network keeps the last finite weights)"
        )
