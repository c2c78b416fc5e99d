import java.io.IOException;
import java.io.InputStream;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import software.amazon.dynamodb.services.local.main.CommandLineInput;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBRequestHandler;
import software.amazon.dynamodb.services.local.server.LocalDynamoDBServerHandler;

/**
 * Runs DynamoDB Local bound to 127.0.0.1 on a port the OS picks, for Baton's
 * tests (lib/testing/dynamodb-local.ts starts it; see
 * docs/decisions/dynamodb-local.md for why this file exists).
 *
 * Usage (single-file source mode, needs a JDK 17+):
 *   java -cp "DynamoDBLocal.jar:DynamoDBLocal_lib/*" -Djava.library.path=DynamoDBLocal_lib \
 *        BatonDynamoDBLocal.java -inMemory -disableTelemetry [-sharedDb]
 *
 * Arguments are DynamoDB Local's own flags, parsed by its own CommandLineInput.
 * -port is rejected: the port is always 0, so there is no window between
 * "pick a free port" and "bind it" in which another process can take it.
 *
 * Protocol with the parent: exactly one line "BATON_DYNAMODB_LOCAL_PORT=<n>"
 * on stdout once the socket is listening. The process exits when its stdin
 * reaches end-of-file, which the kernel delivers when the parent dies for any
 * reason, SIGKILL included; so it cannot outlive the process that started it.
 */
public final class BatonDynamoDBLocal {
  static final String PORT_LINE_PREFIX = "BATON_DYNAMODB_LOCAL_PORT=";
  static final String LOOPBACK = "127.0.0.1";
  static final long EXIT_WATCHDOG_MS = 5_000;

  public static void main(String[] args) throws Exception {
    for (String arg : args) {
      if (arg.equals("-port")) {
        fail("-port is not accepted: the launcher always binds an OS-chosen port");
      }
    }
    CommandLineInput input = new CommandLineInput(args);
    // init() prints DynamoDB Local's own message on stderr when it returns false.
    if (!input.init()) {
      fail("invalid DynamoDB Local arguments");
    }

    // Same wiring as ServerRunner.createServer, minus two things we do not
    // want: it builds a Jetty Server we cannot reach (so it would listen on
    // every interface), and it configures telemetry, which phones home.
    // Never configuring telemetry leaves it off whatever the flags say.
    LocalDynamoDBServerHandler handler = new LocalDynamoDBServerHandler(
        new LocalDynamoDBRequestHandler(0, input.isInMemory(), input.getDbPath(),
            input.getSharedDb(), input.shouldDelayTransientStatuses()),
        input.getCorsParams());
    DynamoDBProxyServer proxy = new DynamoDBProxyServer(0, handler);

    // The proxy keeps its Jetty Server private, but Jetty gives every handler
    // a reference to the Server it is mounted in: a public, stable way in.
    ServerConnector connector = onlyConnector(handler.getServer());
    connector.setHost(LOOPBACK);
    connector.setPort(0);

    // safeStart, not start: start() swallows a bind failure and sends
    // telemetry; safeStart() just starts Jetty and lets failures propagate.
    proxy.safeStart();
    exitWhenParentGoes(proxy);

    System.out.println(PORT_LINE_PREFIX + connector.getLocalPort());
    System.out.flush();
    proxy.join();
  }

  private static ServerConnector onlyConnector(Server server) {
    if (server == null) {
      fail("DynamoDBProxyServer did not mount its handler in a Jetty Server (unsupported DynamoDB Local version?)");
    }
    Connector[] connectors = server.getConnectors();
    if (connectors.length != 1 || !(connectors[0] instanceof ServerConnector)) {
      fail("expected exactly one Jetty ServerConnector, found " + connectors.length);
    }
    return (ServerConnector) connectors[0];
  }

  /** Stdin EOF means the parent is gone (or asked us to stop by closing it). */
  private static void exitWhenParentGoes(DynamoDBProxyServer proxy) {
    Thread watcher = new Thread(() -> {
      try {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        while (in.read(buffer) != -1) {
          // Input is ignored; only the end of it matters.
        }
      } catch (IOException e) {
        // A broken pipe is as good as EOF: the parent cannot talk to us.
      }
      // Whatever happens below, the parent is gone and so must we be.
      Thread watchdog = new Thread(() -> {
        try {
          Thread.sleep(EXIT_WATCHDOG_MS);
        } catch (InterruptedException e) {
          // Halting now is as good as later.
        }
        Runtime.getRuntime().halt(1);
      }, "baton-exit-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
      try {
        proxy.stop();
      } catch (Exception e) {
        // Exiting anyway: in-memory state needs no orderly shutdown.
      }
      // exit, not halt: the jar extracts its sqlite native library into the
      // temp directory and deletes it in a shutdown hook (deleteOnExit).
      System.exit(0);
    }, "baton-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static void fail(String message) {
    System.err.println("BatonDynamoDBLocal: " + message);
    System.exit(2);
  }
}
