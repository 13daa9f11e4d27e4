package io.tally.pipeline;

/** An input expression that cannot be evaluated against a job's data, naming the expression. */
public class ExpressionException extends RuntimeException {

    public ExpressionException(String message) {
        super(message);
    }
}
