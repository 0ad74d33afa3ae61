/* schedlab's context switch for x86-64 System V: the same contract as Boost.Context's
   jump_fcontext/make_fcontext (a context is the saved stack pointer; a jump returns
   {previous context, data} in rax:rdx), minus the x87 control word and MXCSR save/restore,
   which cost more than the rest of the switch together. Consequence, documented in
   context.hpp: a G that changes the FP rounding mode must restore it before it blocks. */
#if defined(__x86_64__) && defined(__linux__)
    .text
    .globl  schedlab_jump_fcontext
    .type   schedlab_jump_fcontext, @function
    .align  16
schedlab_jump_fcontext:
    /* rdi = target context, rsi = data */
    pushq   %rbp
    pushq   %rbx
    pushq   %r15
    pushq   %r14
    pushq   %r13
    pushq   %r12
    movq    %rsp, %rax          /* this context, returned to the target as transfer.fctx */
    movq    %rdi, %rsp
    popq    %r12
    popq    %r13
    popq    %r14
    popq    %r15
    popq    %rbx
    popq    %rbp
    movq    %rsi, %rdx          /* transfer.data */
    ret
    .size   schedlab_jump_fcontext, .-schedlab_jump_fcontext

    /* First jump into a fresh context lands here with the entry function in r12. */
    .type   schedlab_context_start, @function
    .align  16
schedlab_context_start:
    movq    %rax, %rdi
    movq    %rdx, %rsi
    callq   *%r12
    ud2                         /* the entry function must never return */
    .size   schedlab_context_start, .-schedlab_context_start

    .globl  schedlab_make_fcontext
    .type   schedlab_make_fcontext, @function
    .align  16
schedlab_make_fcontext:
    /* rdi = stack top, rsi = size (unused), rdx = entry function */
    movq    %rdi, %rax
    andq    $-16, %rax
    subq    $16, %rax           /* after the final ret, rsp is 16-byte aligned for the call */
    subq    $56, %rax           /* six saved registers + return address */
    movq    %rdx, (%rax)        /* popped into r12 */
    leaq    schedlab_context_start(%rip), %rcx
    movq    %rcx, 48(%rax)      /* ret target */
    ret
    .size   schedlab_make_fcontext, .-schedlab_make_fcontext

    .section .note.GNU-stack,"",%progbits
#endif
