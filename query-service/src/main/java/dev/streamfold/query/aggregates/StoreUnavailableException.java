package dev.streamfold.query.aggregates;

import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The store cannot answer right now (starting, rebalancing, restoring, or partly hosted elsewhere); rendered as a
 * 503 problem detail with {@code Retry-After}, because the same request is expected to succeed later.
 */
final class StoreUnavailableException extends ErrorResponseException {

    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    StoreUnavailableException(String detail) {
        super(HttpStatus.SERVICE_UNAVAILABLE, problem(detail), null);
        getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(RETRY_AFTER.toSeconds()));
    }

    private static ProblemDetail problem(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, detail);
        problem.setTitle("Aggregates not queryable yet");
        return problem;
    }
}
