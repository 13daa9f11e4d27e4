package io.tally.jobsapi.web;

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
 * Answers every MVC error as {@code application/problem+json}, and makes validation errors name the offending field or
 * parameter in {@code detail} and in an {@code errors} list ({@code [{field, message}]}).
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

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
            List<Map<String, String>> errors) {
        String detail = String.join("; ", errors.stream().map(e -> e.get("field") + ": " + e.get("message")).toList());
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail.isEmpty() ? "invalid request" : detail);
        body.setTitle("Bad Request");
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
