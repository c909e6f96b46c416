use super::PortCtx;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::http::Error;
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, on};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in, public forms, inbound webhooks).
    Public,
    /// Any signed-in user (their own profile, sessions, notifications).
    SignedIn,
    /// Super admins only (creating ports).
    SuperAdmin,
    /// Any member of the URL's `{port}` (its dashboard).
    Member,
    /// A member of the URL's `{port}` holding this permission.
    Port(&'static str),
    /// A member of the URL's `{port}` holding any of these (an area's index page).
    AnyOf(&'static [&'static str]),
}

/// One declared route, for the permission matrix and the docs.
#[derive(Debug, Clone)]
pub struct Declared {
    pub method: Method,
    pub path: String,
    pub access: Access,
}

/// A router whose every route states its access. Domains add routes here; the
/// check runs before the handler and before its body is read.
pub struct Routes {
    state: AppState,
    router: Router<AppState>,
    declared: Vec<Declared>,
}

impl Routes {
    pub fn new(state: AppState) -> Routes {
        Routes {
            state,
            router: Router::new(),
            declared: Vec::new(),
        }
    }

    /// Adds `handler` for `method` on `path` (a full path, `{port}` for the port slug).
    pub fn route<H, T>(mut self, method: Method, path: &str, access: Access, handler: H) -> Routes
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        let filter =
            axum::routing::MethodFilter::try_from(method.clone()).expect("a standard method");
        let mr: MethodRouter<AppState> = on(filter, handler)
            .route_layer(from_fn_with_state((self.state.clone(), access), check));
        self.router = self.router.route(path, mr);
        self.declared.push(Declared {
            method,
            path: path.to_owned(),
            access,
        });
        self
    }

    pub fn get<H: axum::handler::Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        access: Access,
        h: H,
    ) -> Routes {
        self.route(Method::GET, path, access, h)
    }

    pub fn post<H: axum::handler::Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        access: Access,
        h: H,
    ) -> Routes {
        self.route(Method::POST, path, access, h)
    }

    pub fn patch<H: axum::handler::Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        access: Access,
        h: H,
    ) -> Routes {
        self.route(Method::PATCH, path, access, h)
    }

    pub fn put<H: axum::handler::Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        access: Access,
        h: H,
    ) -> Routes {
        self.route(Method::PUT, path, access, h)
    }

    pub fn delete<H: axum::handler::Handler<T, AppState>, T: 'static>(
        self,
        path: &str,
        access: Access,
        h: H,
    ) -> Routes {
        self.route(Method::DELETE, path, access, h)
    }

    /// Another domain's routes, built with the same state.
    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.declared.extend(other.declared);
        self
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<Declared>) {
        (self.router, self.declared)
    }
}

async fn check(
    State((state, access)): State<(AppState, Access)>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let verdict = match access {
        Access::Public => Ok(()),
        Access::SignedIn => CurrentUser::from_request_parts(&mut parts, &state)
            .await
            .map(|_| ()),
        Access::SuperAdmin => match CurrentUser::from_request_parts(&mut parts, &state).await {
            Ok(user) if user.is_super_admin => Ok(()),
            Ok(_) => Err(Error::Forbidden),
            Err(e) => Err(e),
        },
        Access::Member => PortCtx::from_request_parts(&mut parts, &state)
            .await
            .map(|_| ()),
        Access::Port(permission) => PortCtx::from_request_parts(&mut parts, &state)
            .await
            .and_then(|ctx| ctx.require(permission)),
        Access::AnyOf(permissions) => PortCtx::from_request_parts(&mut parts, &state)
            .await
            .and_then(|ctx| {
                if permissions.iter().any(|p| ctx.can(p)) {
                    Ok(())
                } else {
                    Err(Error::Forbidden)
                }
            }),
    };
    match verdict {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(e) => e.into_response(),
    }
}
