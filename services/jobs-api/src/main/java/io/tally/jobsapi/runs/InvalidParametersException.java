package io.tally.jobsapi.runs;

import io.tally.pipeline.RunParameters;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A run's parameters do not fit its pipeline's definition: 400, nothing is emitted. The body lists every bad
 * parameter the way validation errors do everywhere in Tally ({@code errors: [{field, message}]}, field
 * {@code parameters.<name>}, sorted by field then message), and the detail names them all.
 */
public class InvalidParametersException extends ErrorResponseException {

    public InvalidParametersException(RunParameters.InvalidException invalid) {
        super(HttpStatus.BAD_REQUEST, problem(invalid), invalid);
    }

    private static ProblemDetail problem(RunParameters.InvalidException invalid) {
        List<Map<String, String>> errors = invalid.problems().stream()
                .map(problem -> Map.of("field", "parameters." + problem.parameter(), "message", problem.message()))
                .sorted(Comparator.<Map<String, String>, String>comparing(error -> error.get("field"))
                        .thenComparing(error -> error.get("message")))
                .toList();
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, invalid.getMessage());
        problem.setTitle("Bad Request");
        problem.setType(URI.create("urn:tally:problem:invalid-run-parameters"));
        problem.setProperty("errors", errors);
        return problem;
    }
}
