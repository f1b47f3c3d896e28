//! A generated module of a chosen size, for the benches and tests that
//! open large modules.

use wasm_encoder::{
    CodeSection, ExportKind, ExportSection, Function, FunctionSection, ImportSection, Instruction,
    MemorySection, MemoryType, Module, TypeSection, ValType,
};

/// A WASI command with about `code` bytes of code: functions of
/// arithmetic and memory traffic calling each other, as compiled C is.
pub fn module_with_code(code: usize) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([], []);
    types.ty().function(
        [ValType::I32, ValType::I32, ValType::I32, ValType::I32],
        [ValType::I32],
    );
    types.ty().function([ValType::I32], [ValType::I32]);
    let mut imports = ImportSection::new();
    imports.import(
        "wasi_snapshot_preview1",
        "fd_write",
        wasm_encoder::EntityType::Function(1),
    );
    let body_bytes = 1000;
    let count = (code / body_bytes).max(1);
    let mut functions = FunctionSection::new();
    functions.function(0);
    for _ in 0..count {
        functions.function(2);
    }
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("_start", ExportKind::Func, 1);
    let mut code = CodeSection::new();
    let mut start = Function::new([]);
    start.instruction(&Instruction::I32Const(7));
    start.instruction(&Instruction::Call(2));
    start.instruction(&Instruction::Drop);
    start.instruction(&Instruction::End);
    code.function(&start);
    for i in 0..count {
        let mut f = Function::new([(2, ValType::I32)]);
        let mut size = 0;
        while size < body_bytes - 40 {
            f.instruction(&Instruction::LocalGet(0));
            f.instruction(&Instruction::I32Const((i * 31 + size) as i32 & 0xffff));
            f.instruction(&Instruction::I32Add);
            f.instruction(&Instruction::LocalTee(1));
            f.instruction(&Instruction::I32Const(0xfffc));
            f.instruction(&Instruction::I32And);
            f.instruction(&Instruction::LocalGet(1));
            f.instruction(&Instruction::I32Store(wasm_encoder::MemArg {
                offset: 0,
                align: 2,
                memory_index: 0,
            }));
            f.instruction(&Instruction::LocalGet(1));
            f.instruction(&Instruction::I32Const(3));
            f.instruction(&Instruction::I32Mul);
            f.instruction(&Instruction::LocalSet(0));
            size += 24;
        }
        if i + 1 < count && i % 7 == 0 {
            f.instruction(&Instruction::LocalGet(0));
            f.instruction(&Instruction::Call(i as u32 + 3));
            f.instruction(&Instruction::LocalSet(0));
        }
        f.instruction(&Instruction::LocalGet(0));
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&memories)
        .section(&exports)
        .section(&code);
    module.finish()
}
