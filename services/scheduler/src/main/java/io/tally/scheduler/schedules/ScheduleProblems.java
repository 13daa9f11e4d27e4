package io.tally.scheduler.schedules;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The problem+json answers of the schedule endpoints: 400 naming each bad field the way validation errors do
 * everywhere in Tally ({@code errors: [{field, message}]}, sorted by field then message), 404 and 409.
 */
final class ScheduleProblems {

    private ScheduleProblems() {
    }

    /** One bad field of a request. */
    record FieldProblem(String field, String message) {
    }

    static ErrorResponseException invalid(List<FieldProblem> problems) {
        List<Map<String, String>> errors = problems.stream()
                .sorted(Comparator.comparing(FieldProblem::field).thenComparing(FieldProblem::message))
                .map(problem -> Map.of("field", problem.field(), "message", problem.message()))
                .toList();
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, String.join("; ",
                errors.stream().map(error -> error.get("field") + ": " + error.get("message")).toList()));
        body.setTitle(HttpStatus.BAD_REQUEST.getReasonPhrase());
        body.setProperty("errors", errors);
        return new ErrorResponseException(HttpStatus.BAD_REQUEST, body, null);
    }

    static ErrorResponseException notFound(String schedule) {
        return of(HttpStatus.NOT_FOUND, "schedule '" + schedule + "' is not known; GET /api/schedules lists them");
    }

    static ErrorResponseException of(HttpStatus status, String detail) {
        return of(status, detail, null);
    }

    static ErrorResponseException of(HttpStatus status, String detail, Throwable cause) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setTitle(status.getReasonPhrase());
        return new ErrorResponseException(status, body, cause);
    }
}
