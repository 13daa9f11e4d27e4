package io.tally.common.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Replaces Boot's {@code BasicErrorController}: whatever reaches {@code /error} (an uncaught exception, a
 * {@code sendError} from a filter or from Tomcat's own mapping) is answered as problem+json, whatever the client's
 * {@code Accept} says, so a browser-style request cannot get an HTML page with other details. The exception's
 * message is never shown: it may carry internals.
 */
@Controller
@RequestMapping("${server.error.path:${error.path:/error}}")
class ProblemErrorController implements ErrorController {

    @RequestMapping
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // Called directly there is no error to report: the path is not a resource of its own.
        int status = code instanceof Integer value ? value : HttpServletResponse.SC_NOT_FOUND;
        String detail = null;
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) == null && message instanceof String text) {
            detail = text;
        }
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        Problems.write(response, status, detail, uri instanceof String path ? path : request.getRequestURI());
    }
}
