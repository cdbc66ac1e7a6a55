/** Who is acting, as the adapter established it (AAD object id from the activity, display name, request correlation id). */
export interface Actor {
  readonly aadObjectId: string;
  readonly name: string;
  readonly correlationId: string;
}
