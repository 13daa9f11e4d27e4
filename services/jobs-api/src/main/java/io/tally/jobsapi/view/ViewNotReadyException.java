package io.tally.jobsapi.view;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The job view cannot answer yet (the streams client is restoring or rebalancing): 503, the client retries. */
public class ViewNotReadyException extends ErrorResponseException {

    public ViewNotReadyException(String reason) {
        super(HttpStatus.SERVICE_UNAVAILABLE, problem(reason), null);
        getHeaders().set("Retry-After", "1");
    }

    private static ProblemDetail problem(String reason) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, "job view is loading: " + reason);
        problem.setTitle("Service Unavailable");
        problem.setType(URI.create("urn:tally:problem:view-loading"));
        return problem;
    }
}
