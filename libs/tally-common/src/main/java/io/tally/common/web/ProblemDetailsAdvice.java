package io.tally.common.web;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Answers every MVC error of every service as {@code application/problem+json} with the status's reason phrase as
 * title, and makes validation errors name the offending field, header or parameter in {@code detail} and in an
 * {@code errors} list ({@code [{field, message}]}), both sorted by field then message so the answer does not depend on
 * the validator's iteration order.
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Comparator<Map<String, String>> BY_FIELD_THEN_MESSAGE =
            Comparator.<Map<String, String>, String>comparing(e -> e.get("field")).thenComparing(e -> e.get("message"));

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = ex.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> Map.of("field", fieldOf(result.getMethodParameter(), error),
                                "message", String.valueOf(error.getDefaultMessage()))))
                .toList();
        return problem(ex, headers, status, request, errors);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = ex.getBindingResult().getAllErrors().stream()
                .map(error -> Map.of("field", error instanceof FieldError field ? field.getField() : error.getObjectName(),
                        "message", String.valueOf(error.getDefaultMessage())))
                .toList();
        return problem(ex, headers, status, request, errors);
    }

    private ResponseEntity<Object> problem(Exception ex, HttpHeaders headers, HttpStatusCode status, WebRequest request,
            List<Map<String, String>> unsorted) {
        List<Map<String, String>> errors = unsorted.stream().sorted(BY_FIELD_THEN_MESSAGE).toList();
        String detail = String.join("; ", errors.stream().map(e -> e.get("field") + ": " + e.get("message")).toList());
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail.isEmpty() ? "invalid request" : detail);
        body.setTitle(Problems.title(status.value()));
        body.setProperty("errors", errors);
        return handleExceptionInternal(ex, body, headers, status, request);
    }

    // The name the client used (a header such as Idempotency-Key, a query parameter), not the Java parameter name.
    private static String fieldOf(MethodParameter parameter, MessageSourceResolvable error) {
        String name = parameter.getParameterName();
        RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
        RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
        if (header != null && !header.name().isEmpty()) {
            name = header.name();
        } else if (param != null && !param.name().isEmpty()) {
            name = param.name();
        }
        return error instanceof FieldError field ? name + "." + field.getField() : name;
    }
}
