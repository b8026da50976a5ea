/**
 * The HTTP API of the contract: one {@code XxxRoutes} class per resource, composed once in {@link
 * org.taskgrid.gateway.http.HttpApi}; every failure becomes the JSON error of the contract in
 * {@link org.taskgrid.gateway.http.ErrorResponses}.
 */
package org.taskgrid.gateway.http;
