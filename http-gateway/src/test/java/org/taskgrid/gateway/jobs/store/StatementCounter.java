package org.taskgrid.gateway.jobs.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Counts what the store sends to the database: every execute, executeQuery, executeUpdate and
 * executeBatch is one trip to the server (an executeBatch of N rows is one, not N). Wraps the real
 * pool and passes everything through.
 */
final class StatementCounter {

  private final AtomicLong executions = new AtomicLong();
  private final AtomicLong batchedRows = new AtomicLong();

  long executions() {
    return executions.get();
  }

  /** Rows added with addBatch: what N statements would have cost. */
  long batchedRows() {
    return batchedRows.get();
  }

  DataSource observe(DataSource pool) {
    return proxy(DataSource.class, pool, (target, method, args) -> {
      Object result = invoke(target, method, args);
      return result instanceof Connection connection ? proxy(Connection.class, connection, this::connectionCall) : result;
    });
  }

  private Object connectionCall(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
    Object result = invoke(target, method, args);
    if (result instanceof Statement statement) {
      Class<? extends Statement> type = statement instanceof java.sql.CallableStatement ? java.sql.CallableStatement.class
          : statement instanceof java.sql.PreparedStatement ? java.sql.PreparedStatement.class : Statement.class;
      return proxy(type, statement, this::statementCall);
    }
    return result;
  }

  private Object statementCall(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
    if (method.getName().startsWith("execute")) {
      executions.incrementAndGet();
    } else if (method.getName().equals("addBatch")) {
      batchedRows.incrementAndGet();
    }
    return invoke(target, method, args);
  }

  private interface Call {
    Object handle(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable;
  }

  private static <T> T proxy(Class<T> type, Object target, Call call) {
    InvocationHandler handler = (proxy, method, args) -> call.handle(target, method, args);
    return type.cast(Proxy.newProxyInstance(StatementCounter.class.getClassLoader(), new Class<?>[] {type}, handler));
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
