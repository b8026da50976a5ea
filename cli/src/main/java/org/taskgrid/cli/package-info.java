/**
 * The command line of bin/taskgrid: {@code run}, {@code job} and {@code status}, one picocli
 * command each ({@link org.taskgrid.cli.TaskgridCli} composes them). A thin client of the HTTP
 * API on the JDK's {@code HttpClient} ({@link org.taskgrid.cli.Gateway}); no Akka and no gateway
 * code, so that it starts fast. Progress shows as a bar on a terminal
 * ({@link org.taskgrid.cli.ProgressBar}) or as plain lines ({@link org.taskgrid.cli.ProgressLines}).
 */
package org.taskgrid.cli;
