/// RepLearning: the trainable similarity (ContraSim) and its learned baselines: encoders, contrastive losses,
/// optimizers and nearest-neighbour negatives, with hand-written gradients on the BLAS of RepMath.
public enum RepLearning {}
