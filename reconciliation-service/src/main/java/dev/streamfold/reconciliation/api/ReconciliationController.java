package dev.streamfold.reconciliation.api;

import dev.streamfold.reconciliation.batch.BatchSummary;
import dev.streamfold.reconciliation.batch.PublishedVerdicts;
import dev.streamfold.reconciliation.batch.ReconciliationBatch;
import java.util.List;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.kafka.KafkaException;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/reconciliation")
class ReconciliationController {

    private final PublishedVerdicts published;
    private final ReconciliationBatch batch;

    ReconciliationController(PublishedVerdicts published, ReconciliationBatch batch) {
        this.published = published;
        this.batch = batch;
    }

    /** The latest verdict this instance published for each settled window of the dimension total, oldest first. */
    @GetMapping("/total")
    List<VerdictResponse> totalVerdicts() {
        return published.latest().stream().map(VerdictResponse::of).toList();
    }

    /** Runs a micro-batch now instead of waiting for the schedule. */
    @PostMapping("/runs")
    BatchSummary run() {
        try {
            return batch.run();
        } catch (DataAccessException | KafkaException e) {
            throw unavailable(e);
        }
    }

    private static ErrorResponseException unavailable(Exception cause) {
        return new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE, "The batch could not complete: " + cause.getMessage()), cause);
    }
}
