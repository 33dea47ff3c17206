/** Training cannot start or cannot go on: unsupported model, NaN loss, bad options. */
export class TrainerError extends Error {
  override readonly name = 'TrainerError';
}
