import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter replaces every error with a generic object; the transport needs the
 * original to tell a permanent failure from a transient one. Applied by the handler decorators.
 */
@Catch()
export class RethrowRpcErrors implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
