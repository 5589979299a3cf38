//! Parameters: their types, then their defaults (which may use other parameters).

use tenet_diagnostics::Code;

use super::Checker;
use super::exprs::Scope;
use crate::ir::ExprKind;
use crate::program::ParamId;

impl Checker<'_> {
    pub(super) fn check_params(&mut self) {
        for index in 0..self.param_asts.len() {
            let ast = self.param_asts[index];
            let (package, file) = (self.program.params[index].package, self.program.params[index].file);
            let ty = self.type_of(package, file, &ast.ty);
            self.program.params[index].ty = ty;
        }
        for index in 0..self.param_asts.len() {
            let ast = self.param_asts[index];
            let p = &self.program.params[index];
            let (package, file, ty) = (p.package, p.file, p.ty.clone());
            let mut cx = Scope::constant(package, file, ast.span.start);
            let value = self.value_of_type(&mut cx, &ast.default, &ty, "the default");
            let p = &mut self.program.params[index];
            p.default = value.clone();
            p.value = value;
        }
    }

    /// Reports parameters whose effective values depend on themselves.
    pub(super) fn check_param_cycles(&mut self) {
        let count = self.program.params.len();
        let deps: Vec<Vec<ParamId>> = self
            .program
            .params
            .iter()
            .map(|p| {
                let mut out = Vec::new();
                p.value.walk(&mut |e| {
                    if let ExprKind::Param(q) = e.kind {
                        out.push(q);
                    }
                });
                out
            })
            .collect();
        // 0 = unvisited, 1 = on the path, 2 = done; iterative so deep chains cannot overflow.
        let mut state = vec![0u8; count];
        for start in 0..count {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                match deps[node].get(*next) {
                    Some(dep) => {
                        *next += 1;
                        let d = dep.index();
                        match state.get(d) {
                            Some(0) => {
                                state[d] = 1;
                                stack.push((d, 0));
                            }
                            Some(1) => {
                                let p = &self.program.params[node];
                                let (file, span, name) = match &p.set_by {
                                    Some(s) => (s.file, s.span, p.name.clone()),
                                    None => (p.file, p.span, p.name.clone()),
                                };
                                self.error(
                                    Code::NOT_CONSTANT,
                                    file,
                                    span,
                                    format!(
                                        "parameter `{name}` depends on itself through `{}`",
                                        self.program.params[d].name
                                    ),
                                );
                            }
                            _ => {}
                        }
                    }
                    None => {
                        state[node] = 2;
                        stack.pop();
                    }
                }
            }
        }
    }
}
