package dev.streamfold.query.aggregates;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** A request the caller must change before it can succeed; rendered as a 400 problem detail. */
final class InvalidQueryException extends ErrorResponseException {

    InvalidQueryException(String detail) {
        super(HttpStatus.BAD_REQUEST, problem(detail), null);
    }

    private static ProblemDetail problem(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle("Invalid aggregate query");
        return problem;
    }
}
