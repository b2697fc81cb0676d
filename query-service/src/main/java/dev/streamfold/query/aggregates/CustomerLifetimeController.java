package dev.streamfold.query.aggregates;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/customers/{customerId}/lifetime}: what all of a customer's orders add up to. */
@RestController
@RequestMapping("/api/v1/customers")
class CustomerLifetimeController {

    private final CustomerLifetimeReader reader;
    private final ServedAggregates served;

    CustomerLifetimeController(CustomerLifetimeReader reader, ServedAggregates served) {
        this.reader = reader;
        this.served = served;
    }

    @GetMapping("/{customerId}/lifetime")
    CustomerLifetimeResponse lifetime(@PathVariable String customerId) {
        String id = CustomerId.canonical("the customer id", customerId);
        if (!served.customerLifetime()) {
            throw new NotFoundException("Customer lifetimes not served",
                    "customer lifetimes are not aggregated here (streamfold.aggregates.customer-lifetime is false)");
        }
        return reader.lifetime(id).map(CustomerLifetimeResponse::of)
                .orElseThrow(() -> new NotFoundException("No customer lifetime",
                        "customer " + id + " has no lifetime totals: no order of theirs has been aggregated"));
    }
}
