// The jobs layer's error: the input names something the model or dataset does not have (an output, an
// initializer). The CLI reports it like a wrong argument (exit code 2 and a pointer to --help).

export class JobInputError extends Error {
  override readonly name = 'JobInputError';
}
