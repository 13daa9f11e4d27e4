package io.tally.scheduler.manual;

import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns invalid requests into {@code application/problem+json} answers that name each bad field, in {@code detail}
 * and in an {@code errors} list; Spring's default detail only says "Invalid request content".
 */
@RestControllerAdvice
class ProblemDetails extends ResponseEntityExceptionHandler {

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(error -> Map.of("field", error.getField(), "message", String.valueOf(error.getDefaultMessage())))
                .toList();
        return badRequest(ex, errors, headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = ex.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream().map(error -> Map.of(
                        "field", headerOrParameterName(result.getMethodParameter().getParameterName(), error),
                        "message", String.valueOf(error.getDefaultMessage()))))
                .toList();
        return badRequest(ex, errors, headers, request);
    }

    private ResponseEntity<Object> badRequest(Exception ex, List<Map<String, String>> errors, HttpHeaders headers,
            WebRequest request) {
        String detail = errors.stream().map(e -> e.get("field") + ": " + e.get("message")).sorted()
                .reduce((a, b) -> a + "; " + b).orElse("Invalid request");
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle("Invalid request");
        problem.setProperty("errors", errors);
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    private static String headerOrParameterName(String parameterName, Object error) {
        if (error instanceof FieldError field) {
            return field.getField();
        }
        return "idempotencyKey".equals(parameterName) ? "Idempotency-Key" : parameterName;
    }
}
