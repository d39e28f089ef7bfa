package org.safehub.testsupport;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/** A data source that counts the connections taken from it, each passed on to a real one. */
public final class CountingDataSource {

  private CountingDataSource() {}

  /** {@code real}, with every {@code getConnection} counted in {@code taken}. */
  public static DataSource of(DataSource real, AtomicInteger taken) {
    return (DataSource)
        Proxy.newProxyInstance(
            CountingDataSource.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")) {
                taken.incrementAndGet();
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
