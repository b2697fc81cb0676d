package dev.streamfold.reconciliation.batch;

import dev.streamfold.reconciliation.window.TotalWindow;
import dev.streamfold.reconciliation.window.WindowVerdict;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** The last verdict this instance published per window: what is news, and what the REST API shows. */
@Component
public class PublishedVerdicts {

    private final Map<TotalWindow, WindowVerdict> latest = new ConcurrentHashMap<>();

    boolean isNews(WindowVerdict verdict) {
        return !verdict.sameOutcomeAs(latest.get(verdict.window()));
    }

    void remember(WindowVerdict verdict) {
        latest.put(verdict.window(), verdict);
    }

    /** Windows starting before {@code start} are out of the lookback and will not be checked again. */
    void forgetBefore(Instant start) {
        latest.keySet().removeIf(window -> window.start().isBefore(start));
    }

    /** The latest published verdict of every window still in the lookback, earliest window first. */
    public List<WindowVerdict> latest() {
        return latest.values().stream()
                .sorted(Comparator.comparing(WindowVerdict::window))
                .toList();
    }
}
