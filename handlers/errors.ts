// The handlers' error family. Step Functions and Lambda show an error's `name` as its type, so
// each class names the problem ("PipelineNotFound"), and `cause` keeps the AWS error underneath.

export class HandlerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A handler was deployed without a setting the stack is meant to give it. */
export class ConfigurationError extends HandlerError {}

/** The invocation's payload does not have the shape the handler was built for. */
export class InvalidEventError extends HandlerError {}
