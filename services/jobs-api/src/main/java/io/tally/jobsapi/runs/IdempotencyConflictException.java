package io.tally.jobsapi.runs;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** An Idempotency-Key was reused with a different request: 409, nothing is emitted. */
public class IdempotencyConflictException extends ErrorResponseException {

    public IdempotencyConflictException(String key) {
        super(HttpStatus.CONFLICT, problem(key), null);
    }

    private static ProblemDetail problem(String key) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
                "Idempotency-Key '" + key + "' was already used with a different pipeline or parameters");
        problem.setTitle("Conflict");
        problem.setType(URI.create("urn:tally:problem:idempotency-key-reused"));
        return problem;
    }
}
