package dev.streamfold.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for the servers we start. */
public final class Ports {

    private Ports() {
    }

    /** {@code requested}, or a port free on 127.0.0.1 right now when 0. */
    /** A port free on 127.0.0.1 right now. */
    public static int free() {
        return orFree(0);
    }

    static int orFree(int requested) {
        if (requested != 0) {
            return requested;
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
